-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "html" TEXT,
ADD COLUMN     "htmlVersion" INTEGER;


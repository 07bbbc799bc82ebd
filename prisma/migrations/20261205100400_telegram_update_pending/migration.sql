-- AlterTable
ALTER TABLE "TelegramUpdate" ADD COLUMN     "pendingSince" TIMESTAMP(3);

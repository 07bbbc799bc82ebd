-- AlterTable
ALTER TABLE "PasswordResetLink" ADD COLUMN     "createdById" TEXT;
